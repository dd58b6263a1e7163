using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Security;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Tasks;

namespace AgentFunctions.Api.Http;

/// <summary>What the groups of endpoints share; registered once by the host, which also registers the engine's interfaces.</summary>
public sealed record ApiDependencies(
    IArtifactStore Artifacts,
    RoleCatalog Roles,
    WorkflowOptions Workflow,
    TaskLimits Limits,
    IManagementUrls ManagementUrls,
    TimeProvider Time,
    SecurityOptions Security)
{
    public TaskSpecValidator Validator { get; } = new(Roles, Limits);

    /// <summary>Bodies other than specs (decisions, leases, results) stay small, except results with artifacts.</summary>
    public long SmallBodyBytes => 64 * 1024;
}
