namespace AgentFunctions.Core.Storage;

/// <summary>A page request; <see cref="ContinuationToken"/> comes from the previous page.</summary>
public sealed record DeadLetterQuery(int Top = 50, string? ContinuationToken = null, string? TaskId = null, string? Role = null);
