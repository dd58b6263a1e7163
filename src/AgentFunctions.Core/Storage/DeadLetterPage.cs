namespace AgentFunctions.Core.Storage;

public sealed record DeadLetterPage(IReadOnlyList<DeadLetterRecord> Items, string? ContinuationToken);
