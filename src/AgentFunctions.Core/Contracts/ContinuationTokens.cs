namespace AgentFunctions.Core.Contracts;

/// <summary>What every paged list says of a continuation token it did not hand out.</summary>
public static class ContinuationTokens
{
    public const string InvalidMessage = "the continuation token is not valid; pass back the one a previous page returned";

    /// <summary>The error a store throws for such a token; the API answers it as 400 on <c>continuationToken</c>.</summary>
    public static ArgumentException Invalid(Exception? inner = null) => new(InvalidMessage, inner);
}
