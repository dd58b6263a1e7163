namespace AgentQ.Cli;

/// <summary>
/// A failure the user should read as one line (a usage mistake, a server answer, an unreachable host),
/// never as a stack trace. <see cref="Exception.Message"/> is that line.
/// </summary>
public sealed class CliException : Exception
{
    public CliException(ExitCode exitCode, string message)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public CliException(ExitCode exitCode, string message, Exception innerException)
        : base(message, innerException)
    {
        ExitCode = exitCode;
    }

    public CliException()
        : this(ExitCode.Error, "agentq failed")
    {
    }

    public CliException(string message)
        : this(ExitCode.Error, message)
    {
    }

    public CliException(string message, Exception innerException)
        : this(ExitCode.Error, message, innerException)
    {
    }

    public ExitCode ExitCode { get; }

    public static CliException Usage(string message) => new(ExitCode.Usage, message);
}
