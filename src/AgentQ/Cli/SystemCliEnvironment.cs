namespace AgentQ.Cli;

/// <summary>The real machine: process environment, console and clock.</summary>
public sealed class SystemCliEnvironment : ICliEnvironment
{
    public static SystemCliEnvironment Instance { get; } = new();

    public string? GetVariable(string name) => Environment.GetEnvironmentVariable(name);

    public string HomeDirectory =>
        GetVariable("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    public string CurrentDirectory => Directory.GetCurrentDirectory();

    public string SystemConfigDirectory => "/etc/agentq";

    public bool StdoutIsTerminal => !Console.IsOutputRedirected;

    public TextReader StandardInput => Console.In;

    public string MachineName => Environment.MachineName;

    public TimeProvider Time => TimeProvider.System;
}
