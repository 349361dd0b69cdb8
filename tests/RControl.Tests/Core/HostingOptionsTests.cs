using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RControl.Configuration;
using RControl.Hosting;

namespace RControl.Tests.Core;

/// <summary>The typed settings of the hosting API become the engine's settings, read once like the HOCON.</summary>
public sealed class HostingOptionsTests
{
    [Fact]
    public async Task Typed_reader_and_remote_options_win_over_the_hocon_and_leave_the_rest_at_the_reference()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddRControl(
            (akka, _) => akka.AddHocon("rcontrol.readers { window = 5, batch-max-chars = 1000 }", HoconAddMode.Prepend),
            options =>
            {
                options.Readers = options.Readers with { Window = 3 };
                options.Remote = new RControlRemoteOptions { AskTimeout = TimeSpan.FromSeconds(7) };
            },
            actorSystemName: $"options-{Guid.NewGuid():N}");
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var rc = host.Services.GetRequiredService<RControlSystem>();
            var settings = RControlSettings.Get(rc.ActorSystem);
            Assert.Equal(3, settings.Readers.Window);            // the typed option wins over the HOCON
            Assert.Equal(1000, settings.Readers.BatchMaxChars);  // the HOCON, where no option is set
            Assert.Equal(TimeSpan.FromSeconds(7), settings.AskTimeout);
            Assert.Equal(TimeSpan.FromMinutes(5), settings.FileIdleTimeout); // reference.conf
            var lines = new List<string>();
            await using var session = rc.CreateLocalSession();
            Assert.Equal(0, await session.Execute("echo typed", new CommandOptions { OnStdout = (_, l) => lines.Add(l) }).WaitAsync());
            Assert.Equal(["typed"], lines);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public void Options_out_of_range_are_refused_where_they_are_set_naming_the_option()
    {
        var window = Assert.Throws<ArgumentOutOfRangeException>(() => new RControlReaderOptions { Window = 0 });
        Assert.Contains("Window must be at least 1, got 0", window.Message);
        var ask = Assert.Throws<ArgumentOutOfRangeException>(() => new RControlRemoteOptions { AskTimeout = TimeSpan.Zero });
        Assert.Contains("AskTimeout must be at least 1ms", ask.Message);
        Assert.Null(new RControlHostingOptions().ToHocon()); // nothing set: nothing in front of the HOCON
    }

    [Fact]
    public void Tls_options_are_the_tls_section_and_never_print_the_password()
    {
        var tls = new RControlTlsOptions("/etc/app/engine.pfx")
        {
            CertificatePassword = "s3cret\"pass",
            Trust = RControlTrust.Ca,
            CaCertificatePath = "/etc/app/ca.crt",
        };
        Assert.DoesNotContain("s3cret", tls.ToString());
        Assert.Contains("CertificatePassword = ***", tls.ToString());
        var config = tls.ToConfig();
        Assert.True(config.GetBoolean("rcontrol.remote.tls.enabled"));
        Assert.Equal("/etc/app/engine.pfx", config.GetString("rcontrol.remote.tls.certificate-path"));
        Assert.Equal("s3cret\"pass", config.GetString("rcontrol.remote.tls.certificate-password"));
        Assert.Equal("ca", config.GetString("rcontrol.remote.tls.trust"));
        Assert.Equal("/etc/app/ca.crt", config.GetString("rcontrol.remote.tls.ca-certificate-path"));
        Assert.Throws<ArgumentException>(() => new RControlTlsOptions(" ").ToConfig());
    }
}
