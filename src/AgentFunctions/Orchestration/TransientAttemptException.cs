namespace AgentFunctions.Orchestration;

/// <summary>An attempt failed in a way another attempt may not (timeouts, 5xx, 429, non-zero exit): retried on the schedule.</summary>
public sealed class TransientAttemptException : Exception
{
    public const string Marker = "[transient] ";

    public TransientAttemptException()
        : this("the attempt failed")
    {
    }

    public TransientAttemptException(string message)
        : base(Marker + message)
    {
    }

    public TransientAttemptException(string message, Exception innerException)
        : base(Marker + message, innerException)
    {
    }
}
