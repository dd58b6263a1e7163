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
        ["check", .. var rest] => CheckCommand.RunAsync(rest, Console.Out, Console.Error),
        ["backup", .. var rest] => BackupCommand.RunAsync(rest, Console.Out, Console.Error),
        // Settings come as --Key value, /Key value or Key=value; any other first word names a command.
        [var first, ..] when !first.StartsWith('-') && !first.StartsWith('/') && !first.Contains('=', StringComparison.Ordinal) => Unknown(first),
        _ => ServeCommand.RunAsync(args, Console.Error),
    };

    private static async Task<int> Unknown(string verb)
    {
        await Console.Error.WriteLineAsync($"unknown command '{verb}'. {Usage}");
        return UsageExitCode;
    }
}
