namespace AgentFunctions.Api.Engine;

/// <summary>
/// The engine cannot take the request now (it is stopping, or stopped after a storage failure, or the server holds
/// as much as it may): answered 503 with <see cref="RetryAfter"/>.
/// </summary>
public sealed class EngineUnavailableException : Exception
{
    public EngineUnavailableException()
        : this("the server cannot take requests right now")
    {
    }

    public EngineUnavailableException(string message)
        : this(message, TimeSpan.FromSeconds(5))
    {
    }

    public EngineUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
        RetryAfter = TimeSpan.FromSeconds(5);
    }

    public EngineUnavailableException(string message, TimeSpan retryAfter, Exception? innerException = null)
        : base(message, innerException)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>When the client should try again.</summary>
    public TimeSpan RetryAfter { get; }
}
