namespace AgentFunctions.Standalone.Hosting;

/// <summary>What the server's command line accepts, and the exit code for one it cannot read.</summary>
public static class StandaloneCommandLine
{
    public const int UsageExitCode = 2;

    public const string Usage =
        "Usage: agentfunctions-standalone [--Key value ...] (serve) | check [--Standalone:DataDirectory DIR] | backup TARGET [--Standalone:DataDirectory DIR]";

    /// <summary>Serves, or runs the verb the first argument names.</summary>
    public static Task<int> RunAsync(string[] args) => args switch
    {
        _ => ServeCommand.RunAsync(args, Console.Error),
    };
}
