using AgentFunctions.Testing;

namespace AgentFunctions.Standalone.Tests.Support;

/// <summary>Small /bin/sh agents for command roles, written to a temp folder the test owns.</summary>
internal sealed class Scripts : IDisposable
{
    public Scripts()
    {
        Directory = TempPaths.NewDirectory("scripts");
    }

    public string Directory { get; }

    /// <summary>Writes an executable script and returns the settings of a command role running it.</summary>
    public Dictionary<string, string> Role(string role, string body, Dictionary<string, string>? extra = null)
    {
        var path = Path.Combine(Directory, role + ".sh");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        var settings = new Dictionary<string, string>
        {
            [$"Roles:{role}:Runner"] = "command",
            [$"Roles:{role}:Command:0"] = "/bin/sh",
            [$"Roles:{role}:Command:1"] = path,
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[$"Roles:{role}:{key}"] = value;
        }

        return settings;
    }

    public string PathOf(string name) => System.IO.Path.Combine(Directory, name);

    public void Dispose() => TempPaths.TryDelete(Directory);
}
