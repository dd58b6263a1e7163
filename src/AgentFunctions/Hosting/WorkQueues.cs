using System.Collections.Concurrent;
using AgentFunctions.Core.Tasks;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace AgentFunctions.Hosting;

/// <summary>
/// The queues of the app: intake, its poison queue, and the work queues of remote roles: one per role, priority and
/// set of requirements (<see cref="WorkRoute"/>), created on first use and found again by their metadata.
/// </summary>
public class WorkQueues(QueueServiceClient service, TimeProvider time)
{
    /// <summary>How long a list of a role's routes is reused before the queues are listed again.</summary>
    public static readonly TimeSpan RoutesFreshFor = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, byte> _ensured = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private (DateTimeOffset At, IReadOnlyList<WorkRoute> Routes)? _routes;

    public QueueServiceClient Service => service;

    public virtual QueueClient Intake => service.GetQueueClient(StorageNames.IntakeQueue);

    public virtual QueueClient IntakePoison => service.GetQueueClient(StorageNames.IntakePoisonQueue);

    /// <summary>The role's own queue: normal priority, no requirements.</summary>
    public virtual QueueClient For(string role) => service.GetQueueClient(StorageNames.WorkQueue(role));

    public virtual QueueClient For(WorkRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return route.IsDefault ? For(route.Role) : service.GetQueueClient(route.QueueName);
    }

    /// <summary>A work queue by its name (the queue a lease record remembers).</summary>
    public virtual QueueClient Named(string name) => service.GetQueueClient(name);

    /// <summary>The queue of <paramref name="route"/>, created (with its metadata) the first time this process needs it.</summary>
    public virtual async Task<QueueClient> EnsureAsync(WorkRoute route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(route);
        var queue = For(route);
        if (!route.IsDefault && !_ensured.ContainsKey(route.QueueName))
        {
            await queue.CreateIfNotExistsAsync(route.Metadata(), cancellationToken);
            _ensured[route.QueueName] = 0;
            lock (_lock)
            {
                _routes = null; // a lease in this process sees the new route at once
            }
        }

        return queue;
    }

    /// <summary>Every route of <paramref name="role"/> (its own queue always among them), listed at most every <see cref="RoutesFreshFor"/>.</summary>
    public virtual async Task<IReadOnlyList<WorkRoute>> RoutesAsync(string role, CancellationToken cancellationToken)
    {
        var all = await AllRoutesAsync(cancellationToken);
        var routes = all.Where(r => r.Role == role).ToList();
        if (!routes.Any(r => r.IsDefault))
        {
            routes.Add(WorkRoute.Default(role));
        }

        return routes;
    }

    private async Task<IReadOnlyList<WorkRoute>> AllRoutesAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_routes is { } cached && now - cached.At < RoutesFreshFor)
            {
                return cached.Routes;
            }
        }

        var routes = new List<WorkRoute>();
        await foreach (var queue in service.GetQueuesAsync(QueueTraits.Metadata, StorageNames.WorkRoutePrefix, cancellationToken))
        {
            if (WorkRoute.FromMetadata(queue.Metadata) is { } route && route.QueueName == queue.Name)
            {
                routes.Add(route);
            }
        }

        lock (_lock)
        {
            _routes = (now, routes);
        }

        return routes;
    }

    /// <summary>The route of an attempt: its role, its task's priority, its requirements.</summary>
    public static WorkRoute RouteOf(string role, TaskPriority priority, IReadOnlyList<string>? requires) =>
        new(role, priority, (requires ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList());
}
