using System.Text.Json;
using AgentQ.Cli;
using AgentQ.Config;
using AgentQ.Http;

namespace AgentQ.Agent;

/// <summary>The leases this user holds, one private file each under <c>~/.agentq/leases/</c>.</summary>
public sealed class LeaseStore(string homeDirectory)
{
    public string Root { get; } = Path.Combine(homeDirectory, ".agentq", "leases");

    public string PathOf(string role, string taskId) => Path.Combine(Root, role, taskId + ".json");

    public void Save(HeldLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        PrivateFile.CreateDirectory(Root);
        PrivateFile.Write(PathOf(lease.Role, lease.TaskId), JsonSerializer.Serialize(lease, CliJson.Output));
    }

    /// <summary>The lease held for this task and role; exit 3 naming <c>agentq take</c> when there is none.</summary>
    public HeldLease Require(string taskId, string role)
    {
        var path = PathOf(role, taskId);
        if (!File.Exists(path))
        {
            throw new CliException(ExitCode.NotFound, $"no lease is held for task '{taskId}' as role '{role}' (none in {Root}); take one first: agentq take --role {role} --task {taskId}");
        }

        try
        {
            return JsonSerializer.Deserialize<HeldLease>(File.ReadAllText(path), CliJson.Responses)
                ?? throw new JsonException("the file is empty");
        }
        catch (JsonException ex)
        {
            throw new CliException(ExitCode.NotFound, $"the lease file {path} is damaged ({ex.Message}); take the task again: agentq take --role {role} --task {taskId}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCode.Error, $"cannot read {path}: {ex.Message}");
        }
    }

    /// <summary>Forgets a lease that was settled or is gone.</summary>
    public void Forget(HeldLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        PrivateFile.TryDelete(PathOf(lease.Role, lease.TaskId));
    }
}
