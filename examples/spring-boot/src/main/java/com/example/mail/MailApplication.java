package com.example.mail;

import dev.portcullis.IssuedKey;
import dev.portcullis.KeySpec;
import dev.portcullis.Portcullis;
import dev.portcullis.Principal;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** A mail API whose one endpoint the Portcullis starter secures; see README.md. */
@SpringBootApplication
@RestController
public class MailApplication {

    public static void main(String[] args) {
        SpringApplication.run(MailApplication.class, args);
    }

    /** Reached only with a key holding messages:send on {domain} (application.properties says so). */
    @PostMapping("/v3/{domain}/messages")
    String send(@PathVariable String domain, @RequestParam String to, Principal caller) {
        return "{\"message\":\"Queued. Thank you.\",\"domain\":\"" + domain + "\",\"account\":\"" + caller.account() + "\"}";
    }

    /** Keys live in memory here, so each start makes one and prints it once, as a curl command. */
    @Bean
    @ConditionalOnProperty(name = "example.demo-key", havingValue = "true", matchIfMissing = true)
    ApplicationRunner demoKey(Portcullis portcullis) {
        return args -> {
            IssuedKey key = portcullis.keys().create(KeySpec.builder()
                    .account("demo").name("example sender").grant("messages:send", "example.com").build());
            System.out.println("Sending key for example.com (shown once):\n  curl -sS --user 'api:" + key.token()
                    + "' http://127.0.0.1:8080/v3/example.com/messages -d to=you@example.org");
        };
    }
}
