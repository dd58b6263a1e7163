using System.Net;

namespace AgentFunctions.Core.Retries;

/// <summary>The failure rules of docs/workflow.md ("Retries"): what is worth retrying and what is not.</summary>
public static class FailureClassifier
{
    /// <summary>408, 429 and 5xx are transient; every other 4xx is permanent.</summary>
    public static FailureKind FromHttpStatus(HttpStatusCode status)
    {
        var code = (int)status;
        return code is 408 or 429 or >= 500 ? FailureKind.Transient : FailureKind.Permanent;
    }

    /// <summary>A non-zero exit is transient unless the role lists the code as permanent.</summary>
    public static FailureKind FromExitCode(int exitCode, IReadOnlyCollection<int> permanentExitCodes)
    {
        ArgumentNullException.ThrowIfNull(permanentExitCodes);
        return permanentExitCodes.Contains(exitCode) ? FailureKind.Permanent : FailureKind.Transient;
    }

    /// <summary>Network errors and timeouts are transient; anything the runner did not expect is too.</summary>
    public static FailureKind FromException(Exception exception) => exception switch
    {
        HttpRequestException { StatusCode: { } status } => FromHttpStatus(status),
        _ => FailureKind.Transient,
    };
}
