namespace AgentQ.Service;

/// <summary>What <c>agentq worker install --json</c> prints: the unit's file name, where it was written (null with --print), its format, and its text (only with --print) or the command that starts it.</summary>
public sealed record ServiceInstallReport(string Unit, string? Path, string Format, string? Text, string? Start);
