// Demo page entry (see issue: demo page). Placeholder until the page lands.
export {};
