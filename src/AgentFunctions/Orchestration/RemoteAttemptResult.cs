using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Orchestration;

/// <summary>The <c>result-&lt;attempt&gt;</c> event: what a worker (or an expired lease) made of one attempt.</summary>
public sealed record RemoteAttemptResult
{
    public required int Attempt { get; init; }

    public bool Succeeded { get; init; }

    public RoleResult? Result { get; init; }

    public bool NeedsApproval { get; init; }

    public FailureKind Kind { get; init; }

    public string? Error { get; init; }

    public static RemoteAttemptResult Success(int attempt, RoleResult result, bool needsApproval) =>
        new() { Attempt = attempt, Succeeded = true, Result = result, NeedsApproval = needsApproval };

    public static RemoteAttemptResult Failure(int attempt, FailureKind kind, string error) =>
        new() { Attempt = attempt, Kind = kind, Error = error };
}
