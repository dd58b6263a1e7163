using AgentFunctions.Testing;

namespace AgentQ.Tests.Infrastructure;

/// <summary>A scratch directory deleted with the test.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Path = TempPaths.NewDirectory("agentq");

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes a /bin/sh script named <paramref name="name"/>, executable by its owner unless <paramref name="executable"/> is false.</summary>
    public string Script(string name, string body, bool executable = true)
    {
        var path = File(name);
        System.IO.File.WriteAllText(path, "#!/bin/sh\n" + body.ReplaceLineEndings("\n") + "\n");
        if (!OperatingSystem.IsWindows())
        {
            var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            System.IO.File.SetUnixFileMode(path, executable ? mode | UnixFileMode.UserExecute : mode);
        }

        return path;
    }

    public void Dispose() => TempPaths.TryDelete(Path);
}
