using AgentFunctions.Core.Json;
using AgentFunctions.Hosting;
using Azure.Core.Serialization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);

// HTTP triggers take ASP.NET Core's HttpRequest and return IActionResult (the API handlers' IResult, adapted).
builder.ConfigureFunctionsWebApplication();

// Worker telemetry correlates with the host's requests; add AddApplicationInsightsTelemetryWorkerService()
// (package Microsoft.ApplicationInsights.WorkerService) before this to send the worker's own telemetry directly.
builder.Services.ConfigureFunctionsApplicationInsights();

// One JSON dialect for everything the worker serializes, Durable inputs, outputs, custom status and events
// included: camelCase with snake_case enum values, as the HTTP API.
builder.Services.Configure<WorkerOptions>(options => options.Serializer = new JsonObjectSerializer(CoreJson.Options));

// Roles, Workflow, Limits and AzureWebJobsStorage are validated here: a bad setting stops the host naming its key.
builder.Services.AddAgentFunctionsApp(builder.Configuration);

builder.Build().Run();
