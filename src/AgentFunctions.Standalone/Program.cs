using AgentFunctions.Standalone.Hosting;

return await StandaloneCommandLine.RunAsync(args);
