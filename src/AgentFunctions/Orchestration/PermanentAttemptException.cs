namespace AgentFunctions.Orchestration;

/// <summary>
/// An attempt failed in a way retrying cannot fix (the agent said so, a 4xx, an unknown runner). The retry
/// policy's failure filter stops at it. The message carries <see cref="Marker"/> because the isolated worker
/// may report an activity's exception under a wrapping type.
/// </summary>
public sealed class PermanentAttemptException : Exception
{
    public const string Marker = "[permanent] ";

    public PermanentAttemptException()
        : this("the attempt failed permanently")
    {
    }

    public PermanentAttemptException(string message)
        : base(Marker + message)
    {
    }

    public PermanentAttemptException(string message, Exception innerException)
        : base(Marker + message, innerException)
    {
    }
}
