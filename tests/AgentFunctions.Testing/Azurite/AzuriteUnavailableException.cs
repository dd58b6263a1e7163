namespace AgentFunctions.Testing.Azurite;

/// <summary>Azurite could not be installed or started; the message says why, so a test that needs it fails clearly.</summary>
public sealed class AzuriteUnavailableException : Exception
{
    public AzuriteUnavailableException()
    {
    }

    public AzuriteUnavailableException(string message)
        : base(message)
    {
    }

    public AzuriteUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
