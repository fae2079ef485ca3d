package dev.portcullis.spring.bench;

import java.lang.management.ManagementFactory;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A bare Boot web application (one controller, no reference to Portcullis) for
 * {@code spring-boot/bench/startup-cost.sh}: started in a fresh JVM with and without the starter on
 * the class path, it prints how long {@code SpringApplication.run} took and the JVM's uptime when the
 * context was ready, then exits.
 */
@SpringBootApplication
@RestController
public class StartupApp {
    @GetMapping("/hello")
    String hello() {
        return "hello";
    }

    public static void main(String[] args) {
        long t0 = System.nanoTime();
        ConfigurableApplicationContext context = SpringApplication.run(StartupApp.class, args);
        long runMillis = (System.nanoTime() - t0) / 1_000_000;
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
        boolean portcullis = context.containsBean("portcullis");
        System.out.println("STARTUP run_ms=" + runMillis + " uptime_ms=" + uptime + " portcullis=" + portcullis
                + " beans=" + context.getBeanDefinitionCount());
        System.exit(SpringApplication.exit(context));
    }
}
