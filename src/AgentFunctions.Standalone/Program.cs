using AgentFunctions.Core.Roles;
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
return 0;
