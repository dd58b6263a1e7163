using System.CommandLine;
using System.Globalization;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Workflow;
using AgentQ.Agent;
using AgentQ.Cli;
using AgentQ.Output;

namespace AgentQ.Commands;

/// <summary>
/// The verbs on a lease taken with <c>agentq take</c>, by task id: <c>heartbeat</c> (extend it, report progress; exit 7
/// when the task was canceled), <c>complete</c> (hand in the result) and <c>fail</c>. Exit 3 when no lease is held for
/// that task and role, exit 4 when the lease expired or the task ended (saying which).
/// </summary>
public static class LeaseCommands
{
    public static Command Heartbeat(GlobalOptions globals, CliRuntime runtime)
    {
        var id = CommonArguments.TaskId("The task taken with agentq take");
        var from = FromOption();
        var progress = new Option<double?>("--progress") { Description = "How far along, 0..1 (shown in the task view)", HelpName = "0..1" };
        var message = new Option<string?>("--message") { Description = "What is happening now (shown in the task view)", HelpName = "TEXT" };
        var command = new Command("heartbeat", "Extend the lease on a taken task by its own length and report progress; exits 7 if the task was canceled (stop working on it)")
        {
            id, from, progress, message,
        };
        CommandActions.Set(command, globals, runtime, async (context, cancellationToken) =>
        {
            var (store, lease) = Held(context, id, from);
            if (context.Get(progress) is { } p && (!double.IsFinite(p) || p < 0 || p > 1))
            {
                throw CliException.Usage("--progress must be a number between 0 and 1");
            }

            var body = new HeartbeatRequest { Progress = context.Get(progress), Message = context.Get(message) };
            var response = await LeaseCall.SendAsync(context.Client, store, lease, "heartbeat", body, cancellationToken);
            var beat = response.Read<HeartbeatResponse>();
            store.Save(lease with { LeaseId = beat.LeaseId, LeaseExpiresAt = beat.LeaseExpiresAt });
            var outcome = new LeaseOutcome("heartbeat", lease.TaskId, lease.Role, lease.Attempt, beat.LeaseExpiresAt, beat.Canceled);
            if (context.Output.Json)
            {
                context.Output.WriteJson(outcome);
            }
            else if (!beat.Canceled)
            {
                context.Output.Line($"lease on task {lease.TaskId} (role {lease.Role}, attempt {lease.Attempt}) extended until {Fmt.Time(beat.LeaseExpiresAt)}");
            }

            if (!beat.Canceled)
            {
                return ExitCode.Ok;
            }

            var view = await TaskAfterLease.TryReadAsync(context.Client, lease.TaskId, cancellationToken);
            var what = view switch
            {
                { State: AgentTaskStatus.Canceled } => "was canceled",
                { State: AgentTaskStatus.Expired } => "expired (its ttl ran out)",
                { } ended when ended.State.IsTerminal() => $"has ended ({Fmt.Of(ended.State)})",
                _ => "was canceled or has ended",
            };
            throw new CliException(ExitCode.TaskCanceled, $"task '{lease.TaskId}' {what}: stop working on it (a result handed in now is kept only as discarded; agentq fail {lease.TaskId} --from {lease.Role} --reason stopped lets it go)");
        });
        return command;
    }

    public static Command Complete(GlobalOptions globals, CliRuntime runtime)
    {
        var id = CommonArguments.TaskId("The task taken with agentq take");
        var from = FromOption();
        var resultFile = new Option<string?>("--result-file") { Description = "The result (markdown) from this file; - reads stdin", HelpName = "FILE" };
        var resultText = new Option<string?>("--result") { Description = "The result (markdown) as text", HelpName = "TEXT" };
        var summary = new Option<string?>("--summary") { Description = "One line on what was done (shown in the task view)", HelpName = "TEXT" };
        var artifacts = new Option<string[]>("--artifact") { Description = "A file (or a folder's files) to attach; repeatable", HelpName = "PATH", AllowMultipleArgumentsPerToken = false };
        var needsApproval = new Option<bool>("--needs-approval") { Description = "Hold the result until someone approves it" };
        var tokens = new Option<string?>("--usage-tokens") { Description = "Tokens used, as INPUT,OUTPUT (added up in metrics)", HelpName = "IN,OUT" };
        var cost = new Option<decimal?>("--cost-usd") { Description = "What the attempt cost, in US dollars", HelpName = "X" };
        var command = new Command("complete", "Hand in the result of a taken task (settles the lease)")
        {
            id, from, resultFile, resultText, summary, artifacts, needsApproval, tokens, cost,
        };
        CommandActions.Set(command, globals, runtime, async (context, cancellationToken) =>
        {
            var (store, lease) = Held(context, id, from);
            var result = new AgentResult
            {
                Status = context.Get(needsApproval) ? AgentResultStatus.NeedsApproval : AgentResultStatus.Completed,
                Summary = context.Get(summary),
                Result = ReadResult(context, context.Get(resultFile), context.Get(resultText)),
                Artifacts = ReadArtifacts(context.Get(artifacts) ?? [], context.Environment.CurrentDirectory),
                Usage = Usage(context.Get(tokens), context.Get(cost)),
            };
            await LeaseCall.SendAsync(context.Client, store, lease, "complete", result, cancellationToken);
            store.Forget(lease);
            var completed = result.Status == AgentResultStatus.NeedsApproval ? "completed (held for approval)" : "completed";
            await SettledAsync(context, lease, "complete", _ => completed, cancellationToken);
            return ExitCode.Ok;
        });
        return command;
    }

    public static Command Fail(GlobalOptions globals, CliRuntime runtime)
    {
        var id = CommonArguments.TaskId("The task taken with agentq take");
        var from = FromOption();
        var reason = new Option<string>("--reason") { Description = "Why the attempt failed (kept with the task, and in a dead letter)", HelpName = "TEXT", Required = true };
        var permanent = new Option<bool>("--permanent") { Description = "Retrying is pointless: dead-letter the role now" };
        var command = new Command("fail", "Report that a taken task's attempt failed (settles the lease; retried on the role's schedule unless --permanent)")
        {
            id, from, reason, permanent,
        };
        CommandActions.Set(command, globals, runtime, async (context, cancellationToken) =>
        {
            var (store, lease) = Held(context, id, from);
            var text = context.Get(reason) is { } r && !string.IsNullOrWhiteSpace(r) ? r : throw CliException.Usage("--reason must say why");
            var isPermanent = context.Get(permanent);
            await LeaseCall.SendAsync(context.Client, store, lease, "fail", new FailRequest { Reason = text, Permanent = isPermanent }, cancellationToken);
            store.Forget(lease);
            await SettledAsync(context, lease, "fail", taskRead => FailedText(lease, isPermanent, taskRead), cancellationToken);
            return ExitCode.Ok;
        });
        return command;
    }

    private static Option<string> FromOption() =>
        new("--from") { Description = "The role the task was taken as", HelpName = "ROLE", Required = true };

    private static (LeaseStore Store, HeldLease Lease) Held(CommandContext context, Argument<string> id, Option<string> from)
    {
        var taskId = CommonArguments.RequireTaskId(context.Get(id));
        var role = CommonArguments.OptionalRole(context.Get(from), "--from") ?? throw CliException.Usage("--from is required");
        var store = new LeaseStore(context.Environment.HomeDirectory);
        var lease = store.Require(taskId, role);
        context.UseLeaseServer(lease.Server, lease.Profile, taskId);
        return (store, lease);
    }

    /// <summary>
    /// Says what settling the lease did. The server only answers that it took the call, so the task is read: one that had
    /// already ended canceled or expired keeps the result only as discarded and retries nothing. When the task cannot be
    /// read (a worker-only key), the words claim nothing about it: <paramref name="describe"/> is told whether it was read.
    /// </summary>
    private static async Task SettledAsync(CommandContext context, HeldLease lease, string action, Func<bool, string> describe, CancellationToken cancellationToken)
    {
        var view = await TaskAfterLease.TryReadAsync(context.Client, lease.TaskId, cancellationToken);
        var endedBefore = view is { State: AgentTaskStatus.Canceled or AgentTaskStatus.Expired };
        if (context.Output.Json)
        {
            context.Output.WriteJson(new LeaseOutcome(action, lease.TaskId, lease.Role, lease.Attempt) { TaskState = view?.State, Discarded = view is null ? null : endedBefore });
        }
        else if (endedBefore)
        {
            var kept = action == "complete" ? "the result is kept only as discarded" : "nothing is retried";
            context.Output.Line($"task {lease.TaskId} had already ended ({Fmt.Of(view!.State)}): {kept}; the lease is settled");
        }
        else
        {
            context.Output.Line($"task {lease.TaskId} (role {lease.Role}, attempt {lease.Attempt}): {describe(view is not null)}; the lease is settled");
        }
    }

    /// <summary>What a fail does to the role, as far as the lease tells; whether it is retried only when the task could be read.</summary>
    private static string FailedText(HeldLease lease, bool permanent, bool taskRead) =>
        permanent ? "failed permanently (no retry)"
        : !taskRead ? "failed"
        : lease.MaxAttempts > 0 && lease.Attempt >= lease.MaxAttempts ? string.Create(CultureInfo.InvariantCulture, $"failed (that was the last of {lease.MaxAttempts} attempts: no retry)")
        : "failed (retried on the role's schedule)";

    private static string ReadResult(CommandContext context, string? file, string? text)
    {
        if ((file is null) == (text is null))
        {
            throw CliException.Usage("give the result with exactly one of --result-file FILE or --result TEXT");
        }

        if (text is not null)
        {
            return text;
        }

        if (file == "-")
        {
            return context.Environment.StandardInput.ReadToEnd();
        }

        var path = Path.GetFullPath(file!, context.Environment.CurrentDirectory);
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CliException.Usage($"--result-file: cannot read {file}: {ex.Message}");
        }
    }

    /// <summary>Files as artifacts named by their file name; a folder's files by their path inside it.</summary>
    private static List<AgentArtifact> ReadArtifacts(IReadOnlyList<string> paths, string currentDirectory)
    {
        var artifacts = new List<AgentArtifact>();
        foreach (var given in paths)
        {
            var path = Path.GetFullPath(given, currentDirectory);
            if (Directory.Exists(path))
            {
                var collected = ArtifactDirectory.Collect(new DirectoryInfo(path));
                if (collected.Skipped.Count > 0)
                {
                    throw CliException.Usage($"--artifact {given}: {collected.Skipped[0].Note}");
                }

                artifacts.AddRange(collected.Artifacts);
            }
            else if (File.Exists(path))
            {
                artifacts.Add(ArtifactDirectory.ToArtifact(Path.GetFileName(path), File.ReadAllBytes(path)));
            }
            else
            {
                throw CliException.Usage($"--artifact {given}: no such file or folder");
            }
        }

        var duplicate = artifacts.GroupBy(a => a.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return duplicate is null ? artifacts : throw CliException.Usage($"--artifact: two files would both be named '{duplicate.Key}'");
    }

    private static AgentUsage? Usage(string? tokens, decimal? cost)
    {
        if (tokens is null && cost is null)
        {
            return null;
        }

        long input = 0, output = 0;
        if (tokens is not null)
        {
            var parts = tokens.Split(',', StringSplitOptions.TrimEntries);
            if (parts.Length != 2
                || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out input)
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out output))
            {
                throw CliException.Usage($"--usage-tokens '{tokens}' must be INPUT,OUTPUT as whole numbers, e.g. 1200,350");
            }
        }

        if (cost is < 0)
        {
            throw CliException.Usage("--cost-usd must not be negative");
        }

        return new AgentUsage { InputTokens = input, OutputTokens = output, CostUsd = cost ?? 0 };
    }
}
