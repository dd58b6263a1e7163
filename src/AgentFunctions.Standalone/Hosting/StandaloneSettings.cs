using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Roles;
using AgentFunctions.Standalone.Auth;

namespace AgentFunctions.Standalone.Hosting;

/// <summary>Every setting of the Standalone server, loaded and validated once at start.</summary>
public sealed record StandaloneSettings(
    RoleCatalog Roles,
    WorkflowOptions Workflow,
    TaskLimits Limits,
    StandaloneOptions Standalone,
    ApiKeyOptions Keys);
