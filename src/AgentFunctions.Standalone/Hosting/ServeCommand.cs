using AgentFunctions.Core.Configuration;
using AgentFunctions.Standalone.Engine;
using AgentFunctions.Standalone.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace AgentFunctions.Standalone.Hosting;

/// <summary>
/// Runs the server until it is stopped, and turns every way it can end into an exit code and, for a failure, one line
/// on stderr: 0 after a stop (SIGTERM, Ctrl+C), 1 when it cannot start (configuration, data directory, port) or stopped
/// after a storage failure, 2 for arguments it cannot read.
/// </summary>
public static class ServeCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        WebApplication app;
        try
        {
            app = StandaloneApp.Build(args);
        }
        catch (InvalidConfigurationException ex)
        {
            // A clear message and a non-zero exit, not a stack trace: the operator fixes the named keys.
            await error.WriteLineAsync(ex.Message);
            return 1;
        }
        catch (DataDirectoryException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return 1;
        }
        catch (FormatException ex)
        {
            // The command line itself could not be read (e.g. a --key without its value).
            await error.WriteLineAsync($"{ex.Message.TrimEnd('.')}. {StandaloneCommandLine.Usage}");
            return StandaloneCommandLine.UsageExitCode;
        }

        // Taken before the run: RunAsync disposes the services when it returns.
        var engine = app.Services.GetRequiredService<StandaloneEngineHost>();
        try
        {
            await app.RunAsync();
        }
        catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            // Kestrel says which address: "Failed to bind to address http://127.0.0.1:7071: address already in use."
            await error.WriteLineAsync(ex.Message + " Stop the other server or pass --urls with another port.");
            return 1;
        }

        if (engine.FaultReason is { } reason)
        {
            // Stopped itself: a supervisor restarts it and recovery runs from what the database holds.
            await error.WriteLineAsync($"The server stopped after a storage failure: {reason.TrimEnd('.')}. Restart it to recover from the database; if it says the database is damaged, restore a backup.");
            return 1;
        }

        return 0;
    }
}
