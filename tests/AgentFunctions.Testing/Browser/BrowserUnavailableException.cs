namespace AgentFunctions.Testing.Browser;

/// <summary>No Chromium could be found or installed: the message is one line saying how to get one.</summary>
public sealed class BrowserUnavailableException : Exception
{
    public BrowserUnavailableException()
    {
    }

    public BrowserUnavailableException(string message)
        : base(message)
    {
    }

    public BrowserUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
