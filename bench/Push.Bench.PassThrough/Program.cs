using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Push.Bench.PassThrough;
using Push.Core.Protection;
using Push.Functions.Composition;

// Push.Functions' composition, then one difference: the payload cipher is a pass-through (crypto_tax's peer).
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureRelay();
builder.Services.Replace(ServiceDescriptor.Singleton<IPayloadCipher, PassThroughCipher>());
builder.Build().Run();
