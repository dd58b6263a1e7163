using AgentQ.Cli;

namespace AgentQ.Tests.Infrastructure;

/// <summary>A machine for one in-process run: its own HOME (a real temp directory), variables and stdin.</summary>
internal sealed class TestEnvironment : ICliEnvironment, IDisposable
{
    private readonly TempDirectory _home = new();
    private readonly TempDirectory _current = new();
    private readonly TempDirectory _system = new();

    public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal);

    public string HomeDirectory => _home.Path;

    /// <summary>A scratch directory standing in for the current directory.</summary>
    public string CurrentDirectory => _current.Path;

    /// <summary>A scratch directory standing in for /etc/agentq.</summary>
    public string SystemConfigDirectory => _system.Path;

    public bool StdoutIsTerminal { get; init; }

    public string Stdin { get; set; } = string.Empty;

    public TextReader StandardInput => new StringReader(Stdin);

    public string MachineName => "test-host";

    public TimeProvider Time => TimeProvider.System;

    public string? GetVariable(string name) => Variables.TryGetValue(name, out var value) ? value : null;

    /// <summary>Writes <c>~/.agentq/config.json</c> with the given unix mode.</summary>
    public string WriteConfig(string json, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var directory = Directory.CreateDirectory(Path.Combine(HomeDirectory, ".agentq"));
        var path = Path.Combine(directory.FullName, "config.json");
        File.WriteAllText(path, json);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }

        return path;
    }

    public void Dispose()
    {
        _home.Dispose();
        _current.Dispose();
        _system.Dispose();
    }
}
