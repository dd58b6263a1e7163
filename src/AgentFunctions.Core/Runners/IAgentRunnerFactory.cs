using AgentFunctions.Core.Roles;

namespace AgentFunctions.Core.Runners;

/// <summary>Picks the in-process runner for a role; null for <see cref="RunnerKind.Remote"/> roles.</summary>
public interface IAgentRunnerFactory
{
    IAgentRunner? Create(RoleDefinition role);
}
