using System.CommandLine;

namespace AgentQ.Cli;

/// <summary>Binds a command to an action that gets a <see cref="CommandContext"/> and returns an <see cref="ExitCode"/>.</summary>
public static class CommandActions
{
    public static void Set(Command command, GlobalOptions globals, CliRuntime runtime, Func<CommandContext, CancellationToken, Task<ExitCode>> action)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(action);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var context = new CommandContext(parseResult, globals, runtime);
            return (int)await action(context, cancellationToken);
        });
    }
}
