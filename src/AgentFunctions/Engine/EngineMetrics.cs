using System.Reflection;
using AgentFunctions.Api.Engine;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Hosting;
using AgentFunctions.Orchestration;
using Azure;
using Azure.Storage.Blobs;
using Microsoft.DurableTask.Client;

namespace AgentFunctions.Engine;

/// <summary>
/// <c>/api/metrics</c> from instance queries (task and role states of the custom status views) and queue
/// lengths; <c>/api/health</c> from storage reachability.
/// </summary>
public sealed class EngineMetrics(
    DurableClientAccessor clients,
    WorkQueues queues,
    BlobServiceClient blobs,
    RemoteLeases leases,
    RoleCatalog roles,
    TimeProvider time) : IEngineMonitor
{
    /// <summary>Metrics read at most this many instances: the figures cover the most recent ones.</summary>
    public const int MaxScannedInstances = 2000;

    public const string EngineName = "durable";

    public async Task<MetricsSnapshot> GetMetricsAsync(CancellationToken cancellationToken)
    {
        var tasks = Enum.GetValues<AgentTaskStatus>().ToDictionary(Names.Of, _ => 0L, StringComparer.Ordinal);
        var perRole = roles.Names.ToDictionary(name => name, name => new RoleTally(), StringComparer.Ordinal);
        var scanned = 0;

        // Only names and custom statuses are read: the query leaves inputs and outputs in storage (see
        // RemoteLeases.IsCurrentAsync for why the custom status still comes back).
        var query = new OrchestrationQuery(PageSize: 200, FetchInputsAndOutputs: false);
        await foreach (var instance in clients.Current.GetAllInstancesAsync(query).WithCancellation(cancellationToken))
        {
            if (++scanned > MaxScannedInstances)
            {
                break;
            }

            if (!string.Equals(instance.Name, OrchestrationNames.AgentTask, StringComparison.Ordinal) || TaskSnapshots.ReadView(instance) is not { } view)
            {
                continue;
            }

            tasks[Names.Of(view.State)]++;
            foreach (var role in view.Roles)
            {
                if (!perRole.TryGetValue(role.Role, out var tally))
                {
                    perRole[role.Role] = tally = new RoleTally();
                }

                tally.Add(role, HeldForApproval(view, role.Role));
            }
        }

        var roleMetrics = new List<RoleMetrics>();
        foreach (var (name, tally) in perRole.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var (depth, oldest) = roles.Find(name) is { Runner: RunnerKind.Remote } ? await QueueDepthAsync(name, cancellationToken) : (0, null);
            roleMetrics.Add(tally.ToMetrics(name, depth, oldest));
        }

        var workers = (await leases.ListAsync(cancellationToken))
            .GroupBy(l => (l.WorkerId ?? "anonymous", l.Role))
            .Select(g => new WorkerSeen(g.Key.Item1, g.Key.Role, g.Max(l => l.LastSeenAt)))
            .ToList();

        return new MetricsSnapshot
        {
            GeneratedAt = time.GetUtcNow(),
            Engine = EngineName,
            Tasks = tasks,
            Completed = tasks[Names.Of(AgentTaskStatus.Completed)],
            Failed = tasks[Names.Of(AgentTaskStatus.Failed)],
            DeadLettered = perRole.Values.Sum(t => t.DeadLettered),
            Roles = roleMetrics,
            Workers = workers,
        };
    }

    public async Task<HealthReport> CheckHealthAsync(CancellationToken cancellationToken)
    {
        var checks = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["blob:" + StorageNames.ArtifactsContainer] = await CheckAsync(async () => (await blobs.GetBlobContainerClient(StorageNames.ArtifactsContainer).ExistsAsync(cancellationToken)).Value),
            ["blob:" + StorageNames.DeadLetterContainer] = await CheckAsync(async () => (await blobs.GetBlobContainerClient(StorageNames.DeadLetterContainer).ExistsAsync(cancellationToken)).Value),
            ["queue:" + StorageNames.IntakeQueue] = await CheckAsync(async () => (await queues.Intake.ExistsAsync(cancellationToken)).Value),
        };
        var healthy = checks.Values.All(v => v == "ok");
        var version = typeof(EngineMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        return new HealthReport(healthy ? "healthy" : "unhealthy", EngineName, version, time.GetUtcNow(), checks);
    }

    private static async Task<string> CheckAsync(Func<Task<bool>> exists)
    {
        try
        {
            return await exists() ? "ok" : "missing";
        }
        catch (RequestFailedException ex)
        {
            return $"unreachable ({ex.Status} {ex.ErrorCode})";
        }
        catch (Exception ex) when (ex is Azure.Identity.AuthenticationFailedException or HttpRequestException or TimeoutException)
        {
            return "unreachable (" + ex.GetType().Name + ")";
        }
    }

    /// <summary>Whether a person decided on the role's result: its finish time then includes that wait.</summary>
    private static bool HeldForApproval(Core.Status.TaskView view, string role) =>
        view.Approval?.Decisions.Any(d => d.Role == role && d.Kind == ApprovalKind.Result) == true;

    private async Task<(int Depth, double? OldestSeconds)> QueueDepthAsync(string role, CancellationToken cancellationToken)
    {
        var queue = queues.For(role);
        try
        {
            var properties = await queue.GetPropertiesAsync(cancellationToken);
            var depth = properties.Value.ApproximateMessagesCount;
            if (depth == 0)
            {
                return (0, null);
            }

            var peeked = (await queue.PeekMessageAsync(cancellationToken)).Value;
            double? oldest = peeked?.InsertedOn is { } inserted ? Math.Max(0, (time.GetUtcNow() - inserted).TotalSeconds) : null;
            return (depth, oldest);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return (0, null);
        }
    }

    private sealed class RoleTally
    {
        private readonly List<double> _latencies = [];

        public int InFlight { get; private set; }

        public int Retrying { get; private set; }

        public long DeadLettered { get; private set; }

        public long Succeeded { get; private set; }

        public long FailedAttempts { get; private set; }

        public AgentUsage? Usage { get; private set; }

        public void Add(Core.Status.RoleView role, bool heldForApproval)
        {
            // The view keeps when a role's first attempt started and when the role settled: for a role that ran to a
            // result or a dead letter (and did not wait for a person), that is its run, retries and backoff included.
            if ((role.State is RoleStatus.Succeeded or RoleStatus.DeadLettered) && !heldForApproval
                && role.StartedAt is { } started && role.FinishedAt is { } finished && finished >= started)
            {
                _latencies.Add((finished - started).TotalMilliseconds);
            }

            switch (role.State)
            {
                case RoleStatus.Running:
                    InFlight++;
                    break;
                case RoleStatus.Retrying:
                    Retrying++;
                    break;
                case RoleStatus.DeadLettered:
                    DeadLettered++;
                    break;
                case RoleStatus.Succeeded:
                    Succeeded++;
                    break;
            }

            FailedAttempts += role.LastError is null ? 0 : Math.Max(1, role.State == RoleStatus.Succeeded ? role.Attempt - 1 : role.Attempt);
            if (role.Usage is { } usage)
            {
                Usage = Usage is null ? usage : AgentUsage.Add(Usage, usage);
            }
        }

        public RoleMetrics ToMetrics(string role, int depth, double? oldest) => new()
        {
            Role = role,
            QueueDepth = depth,
            OldestWaitingSeconds = oldest,
            InFlight = InFlight,
            Retrying = Retrying,
            DeadLettered = DeadLettered,
            Succeeded = Succeeded,
            FailedAttempts = FailedAttempts,
            AttemptLatencyMs = Latency(),
            Usage = Usage,
        };

        /// <summary>Nearest-rank percentiles in milliseconds, as the Standalone engine reports them.</summary>
        public LatencySummary Latency()
        {
            if (_latencies.Count == 0)
            {
                return LatencySummary.Empty;
            }

            var sorted = _latencies.Order().ToArray();
            return new LatencySummary(sorted.Length, Percentile(sorted, 0.50), Percentile(sorted, 0.95), Percentile(sorted, 0.99));
        }

        private static double Percentile(double[] sorted, double p)
        {
            var rank = (int)Math.Ceiling(p * sorted.Length) - 1;
            return Math.Round(sorted[Math.Clamp(rank, 0, sorted.Length - 1)], 3);
        }
    }
}
