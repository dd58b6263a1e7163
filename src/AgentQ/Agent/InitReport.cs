using AgentFunctions.Core.Contracts;

namespace AgentQ.Agent;

/// <summary>What <c>agentq init --json</c> prints: the profile saved, the server's health and the roles it offers.</summary>
public sealed record InitReport(string Profile, string ConfigPath, string Url, bool KeySaved, bool IsDefault, HealthReport? Health, IReadOnlyList<RoleInfo>? Roles, string? RolesError);
