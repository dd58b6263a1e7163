using System.CommandLine;
using System.Globalization;
using System.Net;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Roles;
using AgentQ.Agent;
using AgentQ.Cli;
using AgentQ.Output;

namespace AgentQ.Commands;

/// <summary>
/// <c>agentq take --role R [--task ID] [--lease DURATION] [--dir D] [--wait SECONDS]</c>: leases one attempt for an agent
/// that is itself the worker, writes its files into a folder, keeps the lease under <c>~/.agentq/leases/</c>, prints
/// where everything is, and exits. Nothing keeps running: the agent heartbeats, completes or fails it later by task id.
/// </summary>
public static class TakeCommand
{
    public const int MaxWaitSeconds = 60;

    public static Command Create(GlobalOptions globals, CliRuntime runtime)
    {
        var role = new Option<string>("--role") { Description = "The remote role to work as", HelpName = "ROLE", Required = true };
        var task = new Option<string?>("--task") { Description = "Take this task's waiting attempt, not the next one in line", HelpName = "ID" };
        var lease = new Option<string?>("--lease") { Description = "How long to hold the attempt between heartbeats: 90, 45s, 30m, 4h, 1h30m (default: the role's LeaseSeconds; at most its MaxLeaseSeconds, 4h unless configured)", HelpName = "DURATION" };
        var dir = new Option<string?>("--dir") { Description = "Where to write the attempt's files (default ./agentq-work/<task-id>)", HelpName = "DIR" };
        var wait = new Option<int>("--wait") { Description = $"Wait up to this long for an attempt, 0-{MaxWaitSeconds}", HelpName = "SECONDS", DefaultValueFactory = _ => 0 };
        var workerId = new Option<string?>("--worker-id") { Description = "Name shown in metrics (default: user@host)", HelpName = "ID" };
        var capability = new Option<string[]>("--capability")
        {
            Description = "What you can do (repeat for several): only attempts whose task requires no more than these are handed to you",
            HelpName = "NAME",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("take", "Lease one attempt of a remote role and write its files into a folder (for an agent that is the worker itself); "
            + "then heartbeat, complete or fail it by task id. Exits 9 when nothing is waiting")
        {
            role, task, lease, dir, wait, workerId, capability,
        };
        CommandActions.Set(command, globals, runtime, async (context, cancellationToken) =>
        {
            var roleName = CommonArguments.OptionalRole(context.Get(role)) ?? throw CliException.Usage("--role is required");
            var taskId = context.Get(task) is { } t ? CommonArguments.RequireTaskId(t) : null;
            var leaseSeconds = LeaseSeconds(context.Get(lease));
            var waitSeconds = context.Get(wait) is var w and >= 0 and <= MaxWaitSeconds ? w : throw CliException.Usage($"--wait must be between 0 and {MaxWaitSeconds}");
            var worker = context.Get(workerId) is { Length: > 0 } id ? id : DefaultWorkerId(context.Environment);

            var client = context.Client;
            var body = new LeaseRequestBody(worker, taskId, waitSeconds, leaseSeconds, WorkerCommand.ParseCapabilities(context.Get(capability)));
            var response = await client.SendAsync(HttpMethod.Post, client.Api("workers", roleName, "lease"), body, cancellationToken, TimeSpan.FromSeconds(waitSeconds + 30));
            if (response.Status == HttpStatusCode.NoContent)
            {
                var waited = waitSeconds > 0 ? string.Create(CultureInfo.InvariantCulture, $" within {waitSeconds}s") : string.Empty;
                if (taskId is null)
                {
                    throw new CliException(ExitCode.WaitTimedOut, $"no attempt of role '{roleName}' is waiting{waited}; try again later (--wait up to {MaxWaitSeconds})");
                }

                // The task's view may say why (a capability this worker did not offer); a key that may not read tasks just gets the general words.
                var why = await TaskAfterLease.TryReadAsync(client, taskId, cancellationToken) is { } view
                    && view.Roles.FirstOrDefault(r => r.Role == roleName)?.WaitReason is { Length: > 0 } reason
                        ? $": it is {reason}{(reason.Contains("with:", StringComparison.Ordinal) ? " (offer it with --capability NAME)" : string.Empty)}"
                        : " (not due yet, leased by another worker, ended, or no such task)";
                throw new CliException(ExitCode.WaitTimedOut, $"task '{taskId}' has no attempt of role '{roleName}' waiting{waited}{why}");
            }

            client.EnsureSuccess(response);
            var grant = response.Read<LeaseGrant>();
            var directory = Path.GetFullPath(context.Get(dir) ?? Path.Combine("agentq-work", grant.TaskId), context.Environment.CurrentDirectory);
            var store = new LeaseStore(context.Environment.HomeDirectory);
            AttemptFiles files;
            try
            {
                files = await new AttemptFolder(client).WriteAsync(grant, directory, cancellationToken);
                store.Save(new HeldLease
                {
                    TaskId = grant.TaskId,
                    Role = grant.Role,
                    Attempt = grant.Attempt,
                    MaxAttempts = grant.MaxAttempts,
                    LeaseId = grant.LeaseId,
                    LeaseExpiresAt = grant.LeaseExpiresAt,
                    LeaseSeconds = grant.LeaseSeconds,
                    Server = client.Root.ToString(),
                    Profile = context.Connection.Profile,
                    WorkerId = worker,
                    Directory = directory,
                    TakenAt = context.Environment.Time.GetUtcNow(),
                });
            }
            catch (Exception ex) when (ex is CliException or OperationCanceledException)
            {
                // Nobody could work on it from here: hand it back uncounted rather than let the lease run out.
                await client.SendAsync(HttpMethod.Post, client.Api("workers", grant.Role, "leases", grant.LeaseId, "release"), null, CancellationToken.None);
                throw;
            }

            var taken = new TakenAttempt(grant.TaskId, grant.Role, grant.Attempt, grant.MaxAttempts, grant.LeaseExpiresAt, grant.LeaseSeconds, directory, files.Written, store.PathOf(grant.Role, grant.TaskId))
            {
                TraceParent = grant.TraceParent,
                Refused = files.Refused,
            };
            if (files.Refused.Count > 0)
            {
                context.Output.Note($"warning: the key may not read task {grant.TaskId} (403), so {string.Join(", ", files.Refused)} could not be fetched; the lease is kept and {AttemptFolder.PromptFile} has the work");
            }

            if (context.Output.Json)
            {
                context.Output.WriteJson(taken);
            }
            else
            {
                Describe(context.Output, taken);
            }

            return ExitCode.Ok;
        });
        return command;
    }

    /// <summary>--lease as whole seconds (null: the role's lease); the server checks it against the role's MaxLeaseSeconds.</summary>
    public static int? LeaseSeconds(string? text)
    {
        if (text is null)
        {
            return null;
        }

        return DurationText.Parse(text) is { } duration && duration >= TimeSpan.FromSeconds(1) && duration.TotalSeconds <= RoleDefinition.LeaseSecondsCap
            ? (int)duration.TotalSeconds
            : throw CliException.Usage($"--lease '{text}' is not a duration between 1s and 7d (e.g. 90, 45s, 30m, 4h, 1h30m)");
    }

    private static void Describe(CliOutput output, TakenAttempt taken)
    {
        var of = taken.MaxAttempts > 0 ? string.Create(CultureInfo.InvariantCulture, $" of {taken.MaxAttempts}") : string.Empty;
        output.Line(string.Create(CultureInfo.InvariantCulture,
            $"took task {taken.TaskId} (role {taken.Role}, attempt {taken.Attempt}{of}); lease until {Fmt.Time(taken.LeaseExpiresAt)} ({Fmt.Seconds(taken.LeaseSeconds)}, renewed by each heartbeat)"));
        output.Line($"files in {taken.Directory}: {string.Join(", ", taken.Files)}");
        if (taken.TraceParent is { } trace)
        {
            output.Line($"trace: TRACEPARENT={trace} (export it so your own spans join the task's trace)");
        }

        output.Line($"read {Path.Combine(taken.Directory, AttemptFolder.PromptFile)}, then:");
        output.Line($"  agentq heartbeat {taken.TaskId} --from {taken.Role} --progress 0.5 --message \"...\"   (before the lease runs out)");
        output.Line($"  agentq complete {taken.TaskId} --from {taken.Role} --result-file RESULT.md --summary \"...\"");
        output.Line($"  agentq fail {taken.TaskId} --from {taken.Role} --reason \"...\" [--permanent]");
    }

    private static string DefaultWorkerId(ICliEnvironment environment) =>
        environment.GetVariable("USER") is { Length: > 0 } user ? $"{user}@{environment.MachineName}" : environment.MachineName;
}
