namespace AgentFunctions.Core.Contracts;

/// <summary>
/// The answer to a submit: Durable Functions' HTTP management payload (same names, same URL
/// shapes) plus the task API's own links.
/// </summary>
public sealed record ManagementPayload
{
    public required string Id { get; init; }

    public required string StatusQueryGetUri { get; init; }

    public required string SendEventPostUri { get; init; }

    public required string TerminatePostUri { get; init; }

    public required string PurgeHistoryDeleteUri { get; init; }

    public string? SuspendPostUri { get; init; }

    public string? ResumePostUri { get; init; }

    public required string TaskGetUri { get; init; }

    public required string ResultGetUri { get; init; }

    public required string ApprovePostUri { get; init; }

    public required string RejectPostUri { get; init; }

    public required string CancelPostUri { get; init; }
}
