// An 8-bit counter with synchronous reset, enable and a terminal-count flag.
module counter (
    input  wire       clk,
    input  wire       rst,
    input  wire       en,
    output reg  [7:0] count,
    output wire       done
);
    always @(posedge clk)
        if (rst)
            count <= 8'd0;
        else if (en)
            count <= count + 8'd1;
    assign done = count == 8'hff;
endmodule
