using System.Reflection;
using AgentFunctions.Api.Engine;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Resilience;
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
    CircuitStore circuits,
    RoleCatalog roles,
    TimeProvider time) : IEngineMonitor
{
    /// <summary>Tasks created within this many minutes count toward a role's arrival rate.</summary>
    public const int ArrivalMinutes = 5;

    /// <summary>Metrics read at most this many instances: the figures cover the most recent ones.</summary>
    public const int MaxScannedInstances = 2000;

    public const string EngineName = "durable";

    public async Task<MetricsSnapshot> GetMetricsAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var tasks = Enum.GetValues<AgentTaskStatus>().ToDictionary(Names.Of, _ => 0L, StringComparer.Ordinal);
        var perRole = roles.Names.ToDictionary(name => name, name => new RoleTally(now), StringComparer.Ordinal);
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
                    perRole[role.Role] = tally = new RoleTally(now);
                }

                tally.Add(role, HeldForApproval(view, role.Role), view.CreatedAt);
            }
        }

        var states = await circuits.ReadAllAsync(cancellationToken);
        var roleMetrics = new List<RoleMetrics>();
        foreach (var (name, tally) in perRole.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var definition = roles.Find(name);
            var remote = definition is { Runner: RunnerKind.Remote };
            var (depth, oldest) = remote ? await QueueDepthAsync(name, cancellationToken) : (0, null);
            var metrics = tally.ToMetrics(name, depth, oldest);
            roleMetrics.Add(metrics with
            {
                Circuit = definition is not null && states.TryGetValue(name, out var state) ? CircuitView.From(state, definition.CircuitBreaker, now) : null,
                DesiredWorkers = remote
                    ? ScalingHint.DesiredWorkers(depth, metrics.InFlight, metrics.ArrivalRatePerSecond, metrics.MeanAttemptSeconds, definition!.Alerts.TargetDrainSeconds)
                    : null,
            });
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
        if (!healthy)
        {
            var down = checks.Where(c => c.Value != "ok").Select(c => $"{c.Key}: {c.Value}").ToList();
            return new HealthReport(HealthReport.Unhealthy, EngineName, version, time.GetUtcNow(), checks) { Reasons = down };
        }

        var alerts = await AlertsAsync(cancellationToken);
        return new HealthReport(alerts.Count > 0 ? HealthReport.Degraded : HealthReport.Healthy, EngineName, version, time.GetUtcNow(), checks)
        {
            Reasons = alerts.Select(a => a.Message).ToList(),
            Alerts = alerts,
        };
    }

    /// <summary>
    /// The alerts that fire: the roles' circuit breakers always (one blob read per role), and the thresholds of
    /// <c>Roles:&lt;name&gt;:Alerts</c> where any is set (those need the metrics, an instance scan).
    /// </summary>
    private async Task<IReadOnlyList<HealthAlert>> AlertsAsync(CancellationToken cancellationToken)
    {
        IEnumerable<RoleMetrics> measured;
        if (roles.All.Any(r => r.Alerts.AnyAlert))
        {
            measured = (await GetMetricsAsync(cancellationToken)).Roles;
        }
        else
        {
            var now = time.GetUtcNow();
            var states = await circuits.ReadAllAsync(cancellationToken);
            measured = roles.All.Select(r => new RoleMetrics
            {
                Role = r.Name,
                Circuit = states.TryGetValue(r.Name, out var state) ? CircuitView.From(state, r.CircuitBreaker, now) : null,
            });
        }

        return measured.Where(m => roles.Find(m.Role) is not null).SelectMany(m => RoleHealth.Evaluate(roles.Find(m.Role)!, m)).ToList();
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

    /// <summary>Messages on all of the role's work queues (every priority and set of requirements), and the age of the oldest.</summary>
    private async Task<(int Depth, double? OldestSeconds)> QueueDepthAsync(string role, CancellationToken cancellationToken)
    {
        var depth = 0;
        double? oldest = null;
        foreach (var route in await queues.RoutesAsync(role, cancellationToken) ?? [WorkRoute.Default(role)])
        {
            var queue = queues.For(route);
            try
            {
                var properties = await queue.GetPropertiesAsync(cancellationToken);
                var count = properties.Value.ApproximateMessagesCount;
                if (count == 0)
                {
                    continue;
                }

                depth += count;
                var peeked = (await queue.PeekMessageAsync(cancellationToken)).Value;
                if (peeked?.InsertedOn is { } inserted)
                {
                    var age = Math.Max(0, (time.GetUtcNow() - inserted).TotalSeconds);
                    oldest = oldest is { } known ? Math.Max(known, age) : age;
                }
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Not created yet: nothing waits on it.
            }
        }

        return (depth, oldest);
    }

    /// <summary>
    /// A role's figures from the task views: states, the run time of roles that settled (the last hour's give the mean
    /// attempt time), failures and dead letters of the last hour, and arrivals (roles of tasks created in the last
    /// <see cref="ArrivalMinutes"/> minutes).
    /// </summary>
    private sealed class RoleTally(DateTimeOffset now)
    {
        private readonly List<double> _latencies = [];
        private readonly List<double> _lastHourSeconds = [];
        private long _arrivals;
        private long _lastHourAttempts;
        private long _lastHourFailures;
        private long _lastHourDeadLetters;

        public int InFlight { get; private set; }

        public int Retrying { get; private set; }

        public long DeadLettered { get; private set; }

        public long Succeeded { get; private set; }

        public long FailedAttempts { get; private set; }

        public AgentUsage? Usage { get; private set; }

        public void Add(Core.Status.RoleView role, bool heldForApproval, DateTimeOffset createdAt)
        {
            if (now - createdAt <= TimeSpan.FromMinutes(ArrivalMinutes))
            {
                _arrivals++;
            }

            var failedAttempts = role.LastError is null ? 0 : Math.Max(1, role.State == RoleStatus.Succeeded ? role.Attempt - 1 : role.Attempt);

            // The view keeps when a role's first attempt started and when the role settled: for a role that ran to a
            // result or a dead letter (and did not wait for a person), that is its run, retries and backoff included.
            if ((role.State is RoleStatus.Succeeded or RoleStatus.DeadLettered) && !heldForApproval
                && role.StartedAt is { } started && role.FinishedAt is { } finished && finished >= started)
            {
                _latencies.Add((finished - started).TotalMilliseconds);
                if (now - finished <= TimeSpan.FromHours(1))
                {
                    _lastHourSeconds.Add((finished - started).TotalSeconds / Math.Max(1, role.Attempt));
                }
            }

            if (role.FinishedAt is { } ended && now - ended <= TimeSpan.FromHours(1) && role.Attempt > 0)
            {
                _lastHourAttempts += role.Attempt;
                _lastHourFailures += failedAttempts;
                _lastHourDeadLetters += role.State == RoleStatus.DeadLettered ? 1 : 0;
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

            FailedAttempts += failedAttempts;
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
            ArrivalRatePerSecond = Math.Round(_arrivals / (ArrivalMinutes * 60.0), 4),
            MeanAttemptSeconds = _lastHourSeconds.Count == 0 ? null : Math.Round(_lastHourSeconds.Average(), 3),
            FailureRatioLastHour = _lastHourAttempts == 0 ? null : Math.Round((double)_lastHourFailures / _lastHourAttempts, 4),
            DeadLettersLastHour = _lastHourDeadLetters,
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
