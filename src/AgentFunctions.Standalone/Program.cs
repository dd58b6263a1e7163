using AgentFunctions.Core.Configuration;
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

// Taken before the run: RunAsync disposes the services when it returns.
var engine = app.Services.GetRequiredService<StandaloneEngineHost>();
try
{
    await app.RunAsync();
}
catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    // Kestrel says which address: "Failed to bind to address http://127.0.0.1:7071: address already in use."
    await Console.Error.WriteLineAsync(ex.Message + " Stop the other server or pass --urls with another port.");
    return 1;
}

// An engine that stopped itself after a storage failure exits non-zero, so a supervisor restarts it and recovery runs.
return engine.Faulted ? 1 : 0;
