namespace AgentFunctions.Standalone.Storage;

/// <summary>
/// The data directory cannot be used as it is (missing rights, damaged or foreign database, artifacts without their
/// database): the message is the one line the server prints before it exits 1.
/// </summary>
public sealed class DataDirectoryException : Exception
{
    public DataDirectoryException()
    {
    }

    public DataDirectoryException(string message)
        : base(message)
    {
    }

    public DataDirectoryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
