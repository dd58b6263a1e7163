namespace AgentFunctions.Api.Engine;

/// <summary>
/// The engine refused, or could not commit, a change because its storage is (nearly) full: answered 507 Insufficient
/// Storage. Nothing of the change was kept; the same request succeeds once space is freed.
/// </summary>
public sealed class InsufficientStorageException : Exception
{
    public InsufficientStorageException()
        : this("the server's storage is full")
    {
    }

    public InsufficientStorageException(string message)
        : base(message)
    {
    }

    public InsufficientStorageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>When the client may try again (space is checked continuously; this is a polite pause, not a promise).</summary>
    public static TimeSpan RetryAfter => TimeSpan.FromSeconds(30);
}
