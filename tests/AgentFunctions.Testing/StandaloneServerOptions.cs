namespace AgentFunctions.Testing;

/// <summary>How <see cref="StandaloneServer"/> starts the server.</summary>
public sealed record StandaloneServerOptions
{
    /// <summary>Configuration as an operator would pass it (<c>Roles:review:Runner</c> = <c>echo</c>), given on the command line; these win over the defaults below.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>Environment variables the server starts with (the standard OTEL_* ones, say), on top of this process's.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The port on 127.0.0.1; null picks a free one.</summary>
    public int? Port { get; init; }

    /// <summary>
    /// <c>Standalone:DataDirectory</c>. Null gives the server a fresh temp directory that is deleted with it;
    /// a directory given here belongs to the caller and is kept (a restart on the same data reuses it).
    /// </summary>
    public string? DataDirectory { get; init; }

    /// <summary>The server's AgentFunctions.Standalone.dll; null takes the one beside the running assembly (a project reference copies it there).</summary>
    public string? ServerPath { get; init; }

    /// <summary>Wait until GET /api/health answers 200 before returning (false: return at once, e.g. to watch a server that must refuse to start).</summary>
    public bool WaitUntilHealthy { get; init; } = true;

    /// <summary>How long the server may take to become healthy.</summary>
    public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A program and its arguments that start the server in turn (for example <c>setpriv</c> with fewer rights); the
    /// server runs as <c>launcher... dotnet AgentFunctions.Standalone.dll ...</c>. Empty starts it directly.
    /// </summary>
    public IReadOnlyList<string> Launcher { get; init; } = [];

    /// <summary>Called with every line the server writes to stdout or stderr, as it arrives (the lines are also kept in <see cref="StandaloneServer.Output"/>).</summary>
    public Action<string>? OnOutputLine { get; init; }
}
