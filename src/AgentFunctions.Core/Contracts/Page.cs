namespace AgentFunctions.Core.Contracts;

/// <summary>One page of a list; pass <see cref="ContinuationToken"/> back for the next.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? ContinuationToken);
