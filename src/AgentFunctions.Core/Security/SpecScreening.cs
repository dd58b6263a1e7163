namespace AgentFunctions.Core.Security;

/// <summary>What the secret scan found in a spec: the findings, whether they refuse it, and the warnings of an accepted one.</summary>
public sealed record SpecScreening(IReadOnlyList<SecretFinding> Findings, bool Rejected, IReadOnlyList<string> Warnings)
{
    public static SpecScreening Clean { get; } = new([], false, []);
}
