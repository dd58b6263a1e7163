using AgentFunctions.Core.Retries;
using Microsoft.DurableTask;

namespace AgentFunctions.Orchestration;

/// <summary>Reads the failure kind and message of a failed activity back from its <see cref="TaskFailureDetails"/>.</summary>
public static class AttemptErrors
{
    /// <summary>
    /// Permanent when any failure in the chain is a <see cref="PermanentAttemptException"/> (by type name, or by
    /// its marker where the worker wrapped it); everything else is transient, as docs/workflow.md says of failures nobody expected.
    /// </summary>
    public static (FailureKind Kind, string Message) Describe(TaskFailureDetails? details)
    {
        if (details is null)
        {
            return (FailureKind.Transient, "the attempt failed without details");
        }

        for (var failure = details; failure is not null; failure = failure.InnerFailure)
        {
            if (Matches(failure, typeof(PermanentAttemptException), PermanentAttemptException.Marker, out var message))
            {
                return (FailureKind.Permanent, message);
            }

            if (Matches(failure, typeof(TransientAttemptException), TransientAttemptException.Marker, out message))
            {
                return (FailureKind.Transient, message);
            }
        }

        return (FailureKind.Transient, Clean(details.ErrorMessage));
    }

    /// <summary>Whether another attempt may help: everything but permanent failures.</summary>
    public static bool IsRetryable(TaskFailureDetails details) => Describe(details).Kind == FailureKind.Transient;

    private static bool Matches(TaskFailureDetails failure, Type type, string marker, out string message)
    {
        var text = failure.ErrorMessage ?? string.Empty;
        var at = text.IndexOf(marker, StringComparison.Ordinal);
        if (at >= 0)
        {
            message = Clean(text[(at + marker.Length)..]);
            return true;
        }

        message = Clean(text);
        return string.Equals(failure.ErrorType, type.FullName, StringComparison.Ordinal);
    }

    private static string Clean(string? message)
    {
        var text = string.IsNullOrWhiteSpace(message) ? "the attempt failed" : message.Trim();
        return text.Length <= 2000 ? text : text[..2000];
    }
}
