namespace AgentQ.Cli;

/// <summary>
/// What agentq reads from the machine it runs on. The real tool uses <see cref="SystemCliEnvironment"/>;
/// tests pass their own so a command runs in-process with a chosen HOME, variables and terminal.
/// </summary>
public interface ICliEnvironment
{
    /// <summary>An environment variable, or null when it is not set.</summary>
    string? GetVariable(string name);

    /// <summary>The user's home directory (where <c>.agentq/config.json</c>, leases and <c>worker.toml</c> live).</summary>
    string HomeDirectory { get; }

    /// <summary>Where relative paths start (<c>./agentq-work</c>, <c>./agentq.toml</c>).</summary>
    string CurrentDirectory { get; }

    /// <summary>The machine-wide configuration directory, <c>/etc/agentq</c> (the last place a worker config is looked for).</summary>
    string SystemConfigDirectory { get; }

    /// <summary>True when stdout is a terminal: tables and live views may use colours and redraws.</summary>
    bool StdoutIsTerminal { get; }

    /// <summary>Standard input, for <c>--file -</c> and <c>CONTENT</c> given as <c>-</c>.</summary>
    TextReader StandardInput { get; }

    /// <summary>A name for this machine and process, used as the worker id.</summary>
    string MachineName { get; }

    TimeProvider Time { get; }
}
