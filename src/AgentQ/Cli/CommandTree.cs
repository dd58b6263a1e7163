using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using AgentQ.Commands;

namespace AgentQ.Cli;

/// <summary>The whole <c>agentq</c> command tree, bound to one <see cref="CliRuntime"/>.</summary>
public static class CommandTree
{
    public const string ConnectionHelp =
        """
        Connection: --url > AGENTQ_URL > profile > http://127.0.0.1:7071; --key > AGENTQ_KEY > profile.
          Profiles live in ~/.agentq/config.json (chmod 600; agentq init writes it):
          { "defaultProfile": "local", "profiles": { "local": { "url": "http://127.0.0.1:7071", "key": "..." } } }
          A profile's key is only sent to that profile's URL.
        """;

    public static RootCommand Build(CliRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var globals = new GlobalOptions();
        var root = new RootCommand("agentq: submit, follow, approve and work on AgentFunctions tasks (a durable task queue for AI agents)");
        globals.AddTo(root);
        root.Subcommands.Add(InitCommand.Create(globals, runtime));
        root.Subcommands.Add(SubmitCommand.Create(globals, runtime));
        root.Subcommands.Add(StatusCommand.Create(globals, runtime));
        root.Subcommands.Add(ListCommand.Create(globals, runtime));
        root.Subcommands.Add(WatchCommand.Create(globals, runtime));
        root.Subcommands.Add(ResultCommand.Create(globals, runtime));
        root.Subcommands.Add(DecisionCommands.Approve(globals, runtime));
        root.Subcommands.Add(DecisionCommands.Reject(globals, runtime));
        root.Subcommands.Add(DecisionCommands.Cancel(globals, runtime));
        root.Subcommands.Add(DlqCommand.Create(globals, runtime));
        root.Subcommands.Add(HealthCommand.Create(globals, runtime));
        root.Subcommands.Add(MetricsCommand.Create(globals, runtime));
        root.Subcommands.Add(TakeCommand.Create(globals, runtime));
        root.Subcommands.Add(LeaseCommands.Heartbeat(globals, runtime));
        root.Subcommands.Add(LeaseCommands.Complete(globals, runtime));
        root.Subcommands.Add(LeaseCommands.Fail(globals, runtime));
        root.Subcommands.Add(WorkerCommand.Create(globals, runtime));

        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new EpilogHelpAction((SynchronousCommandLineAction)help.Action!, root);
        return root;
    }
}
