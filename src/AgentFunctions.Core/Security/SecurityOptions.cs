namespace AgentFunctions.Core.Security;

/// <summary>Host-wide security settings (<c>Security:*</c>).</summary>
public sealed record SecurityOptions
{
    public const string SectionName = "Security";

    public static SecurityOptions Default { get; } = new();

    public SecretScanMode SecretScan { get; init; } = SecretScanMode.Reject;
}
