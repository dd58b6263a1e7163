using System.Runtime.InteropServices;
using AgentQ.Cli;

// SIGINT/SIGTERM once: cancel gracefully (the worker drains its attempts); a second signal ends the process at once.
using var shutdown = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    if (shutdown.IsCancellationRequested)
    {
        return;
    }

    context.Cancel = true;
    shutdown.Cancel();
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

Console.OutputEncoding = System.Text.Encoding.UTF8;
return await CliApp.RunAsync(args, Console.Out, Console.Error, SystemCliEnvironment.Instance, shutdown.Token);
