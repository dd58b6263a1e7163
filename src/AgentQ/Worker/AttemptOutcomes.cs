namespace AgentQ.Worker;

/// <summary>The <c>outcome</c> of an <c>attempt</c> event of <c>worker run --json</c>: what became of a leased attempt.</summary>
public static class AttemptOutcomes
{
    /// <summary>Completed with a result (the program exited 0).</summary>
    public const string Completed = "completed";

    /// <summary>Completed with an agent result that asks for approval.</summary>
    public const string NeedsApproval = "needs_approval";

    /// <summary>Failed: a non-zero exit, a timeout, an agent result with status failed, or a result the server refused.</summary>
    public const string Failed = "failed";

    /// <summary>The task was canceled; the program was stopped and a (transient) failure reported.</summary>
    public const string Canceled = "canceled";

    /// <summary>Handed back uncounted (shutdown, or a program that could not start): offered again under the same number.</summary>
    public const string Released = "released";

    /// <summary>Nothing reported: the lease was gone (expired, or the attempt was retried elsewhere).</summary>
    public const string Dropped = "dropped";

    /// <summary>The worker itself failed on this attempt (a local I/O error); the lease expires and the server retries.</summary>
    public const string Error = "error";
}
