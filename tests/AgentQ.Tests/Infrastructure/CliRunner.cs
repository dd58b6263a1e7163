using AgentQ.Cli;

namespace AgentQ.Tests.Infrastructure;

/// <summary>Runs agentq in-process through <see cref="CliApp.RunAsync(string[], CliRuntime, CancellationToken)"/>.</summary>
internal static class CliRunner
{
    public static Task<CliResult> RunAsync(TestEnvironment environment, params string[] args) =>
        RunAsync(environment, CancellationToken.None, args);

    public static Task<CliResult> RunAsync(TestEnvironment environment, CancellationToken cancellationToken, params string[] args) =>
        RunAsync(environment, null, cancellationToken, args);

    /// <summary>With <paramref name="handler"/> in place of the network stack (null: the real one).</summary>
    public static Task<CliResult> RunAsync(TestEnvironment environment, HttpMessageHandler? handler, CancellationToken cancellationToken, params string[] args) =>
        RunWithAsync(environment, runtime => runtime with { HttpHandler = handler }, cancellationToken, args);

    /// <summary>With the runtime adjusted by <paramref name="configure"/> (e.g. a shorter worker report deadline).</summary>
    public static async Task<CliResult> RunWithAsync(TestEnvironment environment, Func<CliRuntime, CliRuntime> configure, CancellationToken cancellationToken, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var runtime = configure(new CliRuntime(TextWriter.Synchronized(stdout), TextWriter.Synchronized(stderr), environment)
        {
            DefaultWorkerGrace = TimeSpan.FromSeconds(5),
        });
        var code = await CliApp.RunAsync(args, runtime, cancellationToken);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }
}
