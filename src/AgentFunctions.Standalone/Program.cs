using AgentFunctions.Core.Roles;
using AgentFunctions.Standalone.Engine;
using AgentFunctions.Standalone.Hosting;

WebApplication app;
try
{
    app = StandaloneApp.Build(args);
}
catch (InvalidConfigurationException ex)
{
    // A clear message and a non-zero exit, not a stack trace: the operator fixes the named keys.
    await Console.Error.WriteLineAsync(ex.Message);
    return 1;
}

await app.RunAsync();

// An engine that stopped itself after a storage failure exits non-zero, so a supervisor restarts it and recovery runs.
return app.Services.GetRequiredService<StandaloneTaskEngine>().Faulted ? 1 : 0;
