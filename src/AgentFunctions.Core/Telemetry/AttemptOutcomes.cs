using AgentFunctions.Core.Runners;

namespace AgentFunctions.Core.Telemetry;

/// <summary>The values of <see cref="TelemetryTags.Outcome"/>: how an attempt ended.</summary>
public static class AttemptOutcomes
{
    public const string Succeeded = "succeeded";
    public const string NeedsApproval = "needs_approval";
    public const string Failed = "failed";

    /// <summary>The outcome of an attempt that ended with <paramref name="result"/>.</summary>
    public static string Of(AgentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Status switch
        {
            AgentResultStatus.Failed => Failed,
            AgentResultStatus.NeedsApproval => NeedsApproval,
            _ => Succeeded,
        };
    }
}
